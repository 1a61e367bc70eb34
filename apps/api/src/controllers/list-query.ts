import Type from 'typebox';

/** `?limit=`: default 50, at most 500 (API.md conventions). */
export const ListLimit = Type.Integer({ minimum: 1, maximum: 500, default: 50 });
