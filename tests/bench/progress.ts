const startedAt = Date.now();

/** Progress goes to stderr, so stdout stays exactly the markdown table. */
export function progress(message: string): void {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}

export function elapsedSeconds(): number {
  return (Date.now() - startedAt) / 1000;
}
