/**
 * The demo town's special grids (专属网格) and their enterprises: mostly chemical works in the parks,
 * with names, unified social credit codes and contacts that look real.
 */
import type { Enterprise, Industry } from '../schemas/enterprise.ts';
import type { Gender } from './demo-households.ts';
import { drawSurname } from './demo-households.ts';
import { apportion, weighted, type Random } from './demo-random.ts';

/** Special grids by zone (named zone + 专属网格): their share of the enterprises and industry mix. */
const SPECIAL_ZONES = [
  { zone: '化工园区', weight: 45, industries: { chemical: 1 } },
  { zone: '新材料产业园', weight: 30, industries: { chemical: 7, manufacturing: 3 } },
  { zone: '港区物流园', weight: 10, industries: { logistics: 7, chemical: 3 } },
  { zone: '沿江工业区', weight: 10, industries: { manufacturing: 5, chemical: 4, construction: 1 } },
  { zone: '商贸街区', weight: 5, industries: { retail: 6, catering: 4 } },
] as const satisfies readonly SpecialZone[];
interface SpecialZone {
  zone: string;
  weight: number;
  industries: Partial<Record<Industry, number>>;
}
/** Words for made-up company names, and the share of companies that handle hazardous chemicals (危化品). */
const INDUSTRY_PROFILES = {
  chemical: { words: ['化工', '化学', '精细化工', '新材料科技', '医药化工', '石化'], hazardousShare: 0.75 },
  manufacturing: { words: ['机械', '装备制造', '电子科技', '五金制品'], hazardousShare: 0.1 },
  logistics: { words: ['物流', '仓储', '港务'], hazardousShare: 0.25 },
  retail: { words: ['商贸', '超市', '建材商行'], hazardousShare: 0 },
  catering: { words: ['餐饮', '酒店', '食府'], hazardousShare: 0 },
  construction: { words: ['建筑工程', '建设'], hazardousShare: 0 },
} as const satisfies Record<Industry, { words: readonly string[]; hazardousShare: number }>;
const BRAND_CHARS = [...'恒盛华鑫瑞泰宏远达昌丰源嘉诚利新金龙天润海星正德'];
const ROAD_NUMERALS = [...'一二三四五六七八'];
const CREDIT_CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_CHAR_LIST = [...CREDIT_CODE_CHARS];

/** GB 32100-2015 check character: weights are 3^i mod 31 over the first 17 characters. */
function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0, weight = 1; i < 17; i++, weight = (weight * 3) % 31)
    sum += CREDIT_CODE_CHARS.indexOf(first17[i]!) * weight;
  return CREDIT_CODE_CHARS[(31 - (sum % 31)) % 31]!;
}

/** What the town generator lends: its random stream, ids, grids and people-making helpers. */
export interface EnterpriseContext {
  rng: Random;
  newId: () => string;
  base: { updatedAt: number; isDeleted: false };
  /** Adds a special grid under the town and returns its id. */
  addSpecialGrid: (name: string, code: string) => string;
  givenName: (gender: Gender, age: number) => string;
  mobile: () => string;
  pad: (n: number, width: number) => string;
}

/** `specialGrids` zones with `enterpriseCount` enterprises shared out by the zones' weights. */
export function addDemoEnterprises(
  context: EnterpriseContext,
  specialGrids: number,
  enterpriseCount: number,
): Enterprise[] {
  const { rng, newId, base, addSpecialGrid, givenName, mobile, pad } = context;
  const enterprises: Enterprise[] = [];
  const fallbackZone = (i: number): SpecialZone => ({
    zone: `第${i + 1}片区`,
    weight: 5,
    industries: { manufacturing: 1 },
  });
  const zones = Array.from(
    { length: specialGrids },
    (_, i): SpecialZone => SPECIAL_ZONES[i] ?? fallbackZone(i),
  );
  const perZone = apportion(
    enterpriseCount,
    zones.map((zone) => zone.weight),
  );
  const usedNames = new Set<string>();
  const usedCreditCodes = new Set<string>();
  zones.forEach(({ zone, industries }, z) => {
    const gridId = addSpecialGrid(`${zone}专属网格`, `ZS-${pad(z + 1, 2)}`);
    const drawIndustry = weighted<Industry>(industries);
    for (let e = 0; e < perZone[z]!; e++) {
      const industry = drawIndustry(rng);
      const words = INDUSTRY_PROFILES[industry].words;
      let name = '';
      for (let tries = 0; name === '' || usedNames.has(name); tries++) {
        const province = rng.chance(0.5) ? '江苏' : '';
        // Past a few collisions the name space is used up (a huge `enterprises`): number the branches.
        const branch = tries > 20 ? `第${usedNames.size + 1}分公司` : '';
        name = `${province}${rng.pick(BRAND_CHARS)}${rng.pick(BRAND_CHARS)}${rng.pick(words)}有限公司${branch}`;
      }
      usedNames.add(name);
      let creditCode = '';
      while (creditCode === '' || usedCreditCodes.has(creditCode)) {
        // 91 = enterprise registered with market supervision; newer codes carry an "MA" organisation code.
        const orgCode = rng.chance(0.6)
          ? 'MA' + Array.from({ length: 7 }, () => rng.pick(CREDIT_CODE_CHAR_LIST)).join('')
          : pad(rng.int(0, 999_999_999), 9);
        const first17 = `91321283${orgCode}`;
        creditCode = first17 + creditCodeCheckChar(first17);
      }
      usedCreditCodes.add(creditCode);
      const isSmallBusiness = industry === 'retail' || industry === 'catering';
      const contactGender: Gender = rng.chance(0.7) ? 'male' : 'female';
      enterprises.push({
        id: newId(),
        ...base,
        gridId,
        name,
        creditCode,
        industry,
        address: `红星镇${zone}${rng.pick(['经', '纬'])}${rng.pick(ROAD_NUMERALS)}路${rng.int(1, 199)}号`,
        contactName: drawSurname(rng) + givenName(contactGender, rng.int(30, 55)),
        contactPhone: mobile(),
        employees: isSmallBusiness ? rng.int(3, 60) : rng.int(20, rng.int(60, 900)),
        isHazardousChemicals: rng.chance(INDUSTRY_PROFILES[industry].hazardousShare),
      });
    }
  });
  return enterprises;
}
