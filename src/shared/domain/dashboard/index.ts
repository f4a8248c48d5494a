/** The dashboard's shared definitions: figure keys, periods and the rules each figure counts by. */
export * from './figures.ts';
export * from './figure-value.ts';
export * from './periods.ts';
export * from './problem-rules.ts';
export * from './ranking.ts';
export * from './round-rules.ts';
