/** The two DOM steps of an export: hand a file to the browser, or open the print view. */

/**
 * Saves a Blob under a file name via a temporary anchor. The object URL is revoked a little later, not
 * at once: some browsers (older Safari, Android WebViews) start reading it only after click() returns.
 */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.rel = 'noopener';
  anchor.style.display = 'none';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Shows the print document and opens the print dialog (where "Save as PDF" is). A new window first, so
 * the worker also sees the list and can print again; if a popup blocker (or the WeChat browser) refuses
 * it, a hidden iframe prints instead. Returns false when neither could be opened.
 */
export function openPrintView(html: string): boolean {
  const printWindow = window.open('', '_blank');
  if (printWindow !== null) {
    printWindow.document.open();
    printWindow.document.write(html);
    printWindow.document.close();
    printWindow.focus();
    // Wait for the CJK web fonts, if any: printing earlier lays the pages out with fallback metrics.
    void printWindow.document.fonts.ready.then(() => printWindow.print());
    return true;
  }

  const frame = document.createElement('iframe');
  frame.setAttribute('aria-hidden', 'true');
  frame.style.cssText = 'position:fixed;right:0;bottom:0;width:0;height:0;border:0;visibility:hidden';
  frame.srcdoc = html;
  frame.addEventListener(
    'load',
    () => {
      const frameWindow = frame.contentWindow;
      if (frameWindow === null) {
        frame.remove();
        return;
      }
      // Remove the frame once the dialog closes; where afterprint never fires, a hidden frame is harmless.
      frameWindow.addEventListener('afterprint', () => setTimeout(() => frame.remove(), 1_000), {
        once: true,
      });
      frameWindow.focus();
      frameWindow.print();
    },
    { once: true },
  );
  document.body.append(frame);
  return true;
}
