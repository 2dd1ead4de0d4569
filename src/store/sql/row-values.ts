// What the two drivers hand back differs for a few column types: SQLite keeps times as epoch milliseconds and
// booleans as 0/1; PostgreSQL gives Date and boolean. Row decoders read columns through these, once.
export const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(value as number));
export const asOptionalDate = (value: unknown): Date | undefined => (value === null || value === undefined ? undefined : asDate(value));
export const asBoolean = (value: unknown): boolean => value === true || value === 1;
/** JSON columns arrive as text from both dialects (PostgreSQL's JSON parser is turned off in its dialect). */
export const parseJson = <T>(text: unknown): T | undefined => (typeof text === 'string' ? (JSON.parse(text) as T) : undefined);
