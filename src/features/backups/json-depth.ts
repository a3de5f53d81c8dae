// How deeply a JSON text nests arrays and objects, found by one linear scan before anything parses it.
// Everything that walks a parsed document recursively (the canonical JSON of the seal, the prototype
// check) would overflow the stack on a file nested tens of thousands of levels deep; measuring first
// turns that into a clear refusal. Strings are skipped (brackets inside them do not count).

/** The first nesting depth above `max`, or null when the text never goes deeper than `max`. */
export function depthBeyond(text: string, max: number): number | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return null;
}
