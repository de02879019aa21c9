// How zone text is read and written.

/** Zone and base files are read and written as latin1: one character per byte, so that
 *  whatever encoding the operator used (UTF-8 in comments, stray bytes) is copied byte for
 *  byte. Markers and values are ASCII. */
export const ZONE_ENCODING = 'latin1';
