/** What the register import is given besides the rows, and the plan it hands back. */
import type { Building } from '../../schemas/building.ts';
import type { Grid } from '../../schemas/grid.ts';
import type { Household } from '../../schemas/household.ts';
import type { Person } from '../../schemas/person.ts';

export interface RegisterImportContext {
  grids: Grid[];
  buildings: Building[];
  /** ID numbers already on the register (upper case), so a re-import cannot create the same person twice. */
  existingIdNumbers: ReadonlySet<string>;
  now: number;
  newId: () => string;
}

export interface RegisterImportRowError {
  /** 1-based spreadsheet line; the header is line 1. */
  line: number;
  /** The Chinese header of the offending column, when one column is to blame. */
  column?: string;
  message: string;
}

export interface PlannedHousehold {
  household: Household;
  people: Person[];
  lines: number[];
}

export interface RegisterImportPlan {
  /** Problems with the file as a whole: nothing can be imported while there is one. */
  fileErrors: string[];
  /** Worth telling the user, but they do not stop the import (ignored columns, shared addresses). */
  warnings: string[];
  rowErrors: RegisterImportRowError[];
  /** Only whole, valid households: what "import the good rows" writes. */
  households: PlannedHousehold[];
  /** Data rows, not counting the header and blank lines. */
  totalRows: number;
  goodRows: number;
}
