/**
 * Whether a string is well-formed Unicode (no lone surrogate). A lone surrogate survives JSON but not
 * UTF-8 storage: a database would read it back as U+FFFD, and client and server would differ forever.
 */
export function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}
