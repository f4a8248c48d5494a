import { describe, expect, it } from 'vitest';
import {
  distinctPlaceParts,
  placeOfHazard,
  placeOfNeed,
  problemPlaceLabel,
} from '../../src/shared/domain/problem-place.ts';

const building = { estate: '幸福家园', name: '4栋' };

describe('the place of a problem made from a record', () => {
  it('a hazard names its building (or enterprise) in words, for readers without the register', () => {
    expect(placeOfHazard({ buildingId: 'b1' }, { building })).toEqual({
      buildingId: 'b1',
      enterpriseId: undefined,
      text: '幸福家园4栋',
    });
    expect(placeOfHazard({ enterpriseId: 'e1' }, { enterprise: { name: '红星化工' } })).toEqual({
      buildingId: undefined,
      enterpriseId: 'e1',
      text: '红星化工',
    });
  });

  it('a need is at its household and its building', () => {
    expect(placeOfNeed('h1', { buildingId: 'b1', address: '幸福家园4栋2单元301室' })).toEqual({
      householdId: 'h1',
      buildingId: 'b1',
      text: '幸福家园4栋2单元301室',
    });
  });
});

describe('problemPlaceLabel', () => {
  it('names a building once when the place words are the building (a problem made from a hazard)', () => {
    const problem = { place: placeOfHazard({ buildingId: 'b1' }, { building }) };
    expect(problemPlaceLabel(problem, { building: '幸福家园4栋' })).toBe('幸福家园4栋');
  });

  it('leaves out a name the next part already says (a household address holds its building)', () => {
    const problem = { place: placeOfNeed('h1', { buildingId: 'b1', address: '幸福家园4栋2单元301室' }) };
    expect(problemPlaceLabel(problem, { building: '幸福家园4栋', household: '幸福家园4栋2单元301室' })).toBe(
      '幸福家园4栋2单元301室',
    );
  });

  it('keeps words that add to the building, in order', () => {
    expect(problemPlaceLabel({ place: { text: '3单元楼道' } }, { building: '幸福家园4栋' })).toBe(
      '幸福家园4栋 · 3单元楼道',
    );
    expect(problemPlaceLabel({ place: { text: ' 村口 ' } }, {}, ' ')).toBe('村口');
    expect(problemPlaceLabel({ place: {} }, {})).toBe('');
  });

  it('keeps each part whole, so a screen can still link the household', () => {
    const parts = distinctPlaceParts([
      { text: '和谐社区第3网格' },
      { text: '幸福家园4栋' },
      { text: '幸福家园4栋2单元301室', href: '#/household/h1' },
      { text: '幸福家园4栋2单元301室' },
    ]);
    expect(parts).toEqual([
      { text: '和谐社区第3网格' },
      { text: '幸福家园4栋2单元301室', href: '#/household/h1' },
    ]);
  });
});
