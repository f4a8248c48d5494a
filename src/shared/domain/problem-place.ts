/**
 * Where a problem is: the place a problem made from a hazard or a need starts with, and how a place
 * reads on a screen or in an export. A place links records (building, household, enterprise) and has
 * words (`place.text`); the words are for whoever cannot look the records up — a department's device
 * holds no register — so a problem made from a record also names it in words.
 */
import type { Building } from '../schemas/building.ts';
import type { Hazard } from '../schemas/checklist.ts';
import type { Enterprise } from '../schemas/enterprise.ts';
import type { Household } from '../schemas/household.ts';
import type { Problem, ProblemPlace } from '../schemas/problem.ts';

/** "幸福家园4栋": the estate and the building, as every screen and export names a building. */
export function buildingLabel(building: Pick<Building, 'estate' | 'name'>): string {
  return `${building.estate}${building.name}`;
}

/** A failed item's problem is at the building or enterprise that was checked. */
export function placeOfHazard(
  hazard: Pick<Hazard, 'buildingId' | 'enterpriseId'>,
  checked: {
    building?: Pick<Building, 'estate' | 'name'> | undefined;
    enterprise?: Pick<Enterprise, 'name'> | undefined;
  },
): ProblemPlace {
  const words = checked.building ? buildingLabel(checked.building) : checked.enterprise?.name;
  return { buildingId: hazard.buildingId, enterpriseId: hazard.enterpriseId, text: words };
}

/** A need's problem is at its household (and the household's building, for the building's list). */
export function placeOfNeed(
  householdId: string,
  household: Pick<Household, 'buildingId' | 'address'> | undefined,
): ProblemPlace {
  return { householdId, buildingId: household?.buildingId, text: household?.address };
}

/** The names of a place's records, as the reader's device knows them (any may be unknown). */
export interface PlaceNames {
  building?: string | undefined;
  household?: string | undefined;
  enterprise?: string | undefined;
}

/**
 * The parts of a place label worth showing, in order, trimmed: empty ones left out, and so is one
 * another part already says — the same words (the first is kept) or words inside a longer part (a
 * household address holds its building). So a building named by its record and again in the place's
 * words reads once. Parts stay whole objects, so a screen can still link one.
 */
export function distinctPlaceParts<T extends { text: string | undefined }>(
  parts: readonly (T | undefined)[],
): (T & { text: string })[] {
  const present = parts
    .map((part) => (part ? { ...part, text: part.text?.trim() ?? '' } : undefined))
    .filter((part): part is T & { text: string } => !!part?.text);
  return present.filter(
    (part, index) =>
      !present.some(
        (other, otherIndex) =>
          otherIndex !== index &&
          other.text.includes(part.text) &&
          (other.text !== part.text || otherIndex < index),
      ),
  );
}

/** One line naming a problem's place: its records' names, then its own words. */
export function problemPlaceLabel(
  problem: Pick<Problem, 'place'>,
  names: PlaceNames,
  separator = ' · ',
): string {
  return distinctPlaceParts([
    { text: names.building },
    { text: names.enterprise },
    { text: names.household },
    { text: problem.place.text },
  ])
    .map((part) => part.text)
    .join(separator);
}
