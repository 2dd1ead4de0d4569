// Decodes a request body as UTF-8 without hiding invalid bytes. A plain decode turns each invalid sequence
// into U+FFFD, a real character, so the server would store a value the client never sent. Here each invalid
// byte becomes an unpaired surrogate (U+DC80–U+DCFF, as Python's "surrogateescape" does): inside a JSON
// string it is then refused, by name, by the same rule that refuses an unpaired surrogate escape ("\ud800");
// outside a string it makes the JSON invalid. Valid bodies (nearly all) take the fast path.
import { isUtf8 } from 'node:buffer';

export function decodeUtf8KeepingInvalidBytes(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let text = '';
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    text += bytes.toString('utf8', runStart, i) + String.fromCharCode(0xdc00 + bytes[i]!);
    i += 1;
    runStart = i;
  }
  return text + bytes.toString('utf8', runStart);
}

/** Length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), or 0 when it is not one. */
function validSequenceLength(bytes: Buffer, i: number): number {
  const lead = bytes[i]!;
  if (lead < 0x80) return 1;
  let length: number;
  let secondMin = 0x80;
  let secondMax = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) secondMin = 0xa0; // no overlong forms
    if (lead === 0xed) secondMax = 0x9f; // no encoded surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) secondMin = 0x90; // no overlong forms
    if (lead === 0xf4) secondMax = 0x8f; // nothing past U+10FFFF
  } else return 0;
  if (i + length > bytes.length) return 0;
  const second = bytes[i + 1]!;
  if (second < secondMin || second > secondMax) return 0;
  for (let k = 2; k < length; k++) {
    const next = bytes[i + k]!;
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}

/** False for text holding an unpaired surrogate (sent as an escape, or made from an invalid byte above). */
export const isWellFormedText = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();
