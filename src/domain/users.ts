/** A user id, as a regular-expression source (storage keys embed it). */
export const USER_ID = '[A-Za-z0-9_-]{1,64}';

/** User ids appear in keys and paths: the JWT `sub` must match this. */
export const USER_ID_PATTERN = new RegExp(`^${USER_ID}$`);

/** What a client is told when a user id does not match {@link USER_ID_PATTERN}. */
export const USER_ID_RULE = 'a user id is 1-64 characters of A-Z, a-z, 0-9, _ or -';
