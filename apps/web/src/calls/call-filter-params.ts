import { CALL_DIRECTIONS, CALL_SORTS, CALL_STATUSES, type CallFilter } from '../api/types';

/**
 * The history's filters live in the address (?status=missed&number=495…), so a filtered list
 * can be bookmarked, shared and restored with Back. Unknown values are dropped, not sent.
 */
export function filterFromParams(params: URLSearchParams): CallFilter {
  const list = <T extends string>(key: string, allowed: readonly T[]): T[] | undefined => {
    const values = (params.get(key) ?? '').split(',').filter((value): value is T => (allowed as readonly string[]).includes(value));
    return values.length > 0 ? values : undefined;
  };
  const id = (key: string): number | undefined => {
    const value = Number(params.get(key));
    return Number.isInteger(value) && value > 0 ? value : undefined;
  };
  const sort = params.get('sort');
  return {
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
    status: list('status', CALL_STATUSES),
    direction: list('direction', CALL_DIRECTIONS),
    number: params.get('number') ?? undefined,
    userId: id('userId'),
    companyId: id('companyId'),
    sort: (CALL_SORTS as readonly string[]).includes(sort ?? '') ? (sort as CallFilter['sort']) : undefined,
  };
}

export function filterToParams(filter: CallFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return params;
}
