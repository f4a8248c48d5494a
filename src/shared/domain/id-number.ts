/**
 * Mainland resident ID numbers (GB 11643-1999): 6-digit area code, 8-digit birth date,
 * 3-digit sequence (odd = male), and an ISO 7064 MOD 11-2 check character (0-9 or X).
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

export const ID_NUMBER_SHAPE = /^\d{17}[\dX]$/;

export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

export function isValidIdNumber(idNumber: string): boolean {
  if (!ID_NUMBER_SHAPE.test(idNumber)) return false;
  if (idNumberCheckChar(idNumber.slice(0, 17)) !== idNumber[17]) return false;
  const birth = idNumberBirthDate(idNumber);
  const date = new Date(`${birth}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === birth;
}

/** YYYY-MM-DD encoded in positions 7-14. */
export function idNumberBirthDate(idNumber: string): string {
  return `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
}

export function idNumberGender(idNumber: string): 'male' | 'female' {
  return Number(idNumber[16]) % 2 === 1 ? 'male' : 'female';
}

/** What most screens show: all but the last four characters hidden. */
export function maskIdNumber(idNumber: string): string {
  return `${'*'.repeat(Math.max(0, idNumber.length - 4))}${idNumber.slice(-4)}`;
}
