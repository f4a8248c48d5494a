/**
 * Importing the household register (人房信息台账) from a spreadsheet: one row per person, rows sharing a
 * 户编号 form one household. Pure and isomorphic: the caller reads the file into rows of cell values
 * (src/app/import/read-register-file.ts) and writes the planned records; this module only decides.
 *
 * Nothing is half-imported: a household with any bad row is left out whole, so the plan's households are
 * exactly what "import the good rows" writes after the user has seen the report.
 *
 * The parts live in register-import/: the columns and header (columns.ts), one cell (cells.ts) and one
 * row (row.ts), a household (household.ts), the checks across people (people.ts), the plan (plan.ts)
 * and the template (template.ts).
 */
export { IMPORT_COLUMNS, type ImportColumn, type ImportColumnKey } from './register-import/columns.ts';
export { planRegisterImport } from './register-import/plan.ts';
export { importTemplateCsv } from './register-import/template.ts';
export type {
  PlannedHousehold,
  RegisterImportContext,
  RegisterImportPlan,
  RegisterImportRowError,
} from './register-import/types.ts';
