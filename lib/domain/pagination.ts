// Page arithmetic for the long lists (sites, tunnels): a `?page=` value from the URL,
// whatever a person typed or bookmarked, becomes a page that exists, its row window
// (skip/take for the query) and the neighbours to link to.

/** The 1-based page a `?page=` search parameter asks for; anything unusable means page 1. */
export function parsePage(raw: string | string[] | undefined): number {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value || !/^\d{1,9}$/.test(value)) return 1;
  return Math.max(1, Number(value));
}

export type PageWindow = {
  /** The page shown: the one asked for, or the last one when it asked past the end. */
  page: number;
  pageCount: number;
  skip: number;
  take: number;
  /** 1-based positions of the first and last row shown (0 and 0 for an empty list). */
  first: number;
  last: number;
  total: number;
  prev: number | null;
  next: number | null;
};

export function pageWindow({ page, perPage, total }: { page: number; perPage: number; total: number }): PageWindow {
  if (!Number.isInteger(perPage) || perPage < 1) throw new Error(`perPage must be a positive integer, got ${perPage}`);
  const pageCount = Math.max(1, Math.ceil(total / perPage));
  const shown = Math.min(Math.max(1, Math.floor(page)), pageCount);
  const skip = (shown - 1) * perPage;
  const rows = Math.max(0, Math.min(perPage, total - skip));
  return {
    page: shown,
    pageCount,
    skip,
    take: perPage,
    first: rows ? skip + 1 : 0,
    last: skip + rows,
    total,
    prev: shown > 1 ? shown - 1 : null,
    next: shown < pageCount ? shown + 1 : null,
  };
}

/** A list URL with its filters and the page (page 1 is the bare URL). */
export function pageHref(path: string, params: Record<string, string | undefined>, page: number): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) query.set(k, v);
  if (page > 1) query.set("page", String(page));
  const s = query.toString();
  return s ? `${path}?${s}` : path;
}
