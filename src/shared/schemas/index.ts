export * from './common.ts';
export * from './grid.ts';
export * from './building.ts';
export * from './care-tags.ts';
export * from './household.ts';
export * from './person.ts';
export * from './enterprise.ts';
