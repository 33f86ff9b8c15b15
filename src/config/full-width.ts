import type { ConfigIssue } from './errors.js';

/**
 * Hints for full-width punctuation where YAML needs ASCII. With a Chinese input method on, `：`
 * comes out instead of `:`, and the YAML parser then says something like "Implicit keys need to
 * be on a single line" about the wrong line. Only punctuation in a place where YAML syntax goes is
 * named: a key's colon, a list dash, the brackets, braces and commas of a flow collection, an
 * opening quote, a comment's hash, indentation. Full-width characters inside values ("一楼，大厅"), quotes and comments
 * are text and stay unmentioned.
 */

const NAMES: Record<string, [name: string, ascii: string]> = {
  '：': ['full-width colon', ':'],
  '，': ['full-width comma', ','],
  '、': ['ideographic comma', ','],
  '［': ['full-width bracket', '['],
  '］': ['full-width bracket', ']'],
  '｛': ['full-width brace', '{'],
  '｝': ['full-width brace', '}'],
  '－': ['full-width dash', '-'],
  '＃': ['full-width hash', '#'],
  '＂': ['full-width quote', '"'],
  '＇': ['full-width quote', "'"],
  '“': ['curly quote', '"'],
  '”': ['curly quote', '"'],
  '‘': ['curly quote', "'"],
  '’': ['curly quote', "'"],
  '\u3000': ['full-width space', 'an ordinary space'],
};

export function fullWidthHints(text: string): ConfigIssue[] {
  const hints: ConfigIssue[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    for (const col of syntaxPositions(line)) {
      const ch = line[col]!;
      const [name, ascii] = NAMES[ch]!;
      const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      const what = ch === '\u3000' ? `a ${name} (${code}) in the indentation` : `a ${name} '${ch}' (${code})`;
      const fix = ascii.length === 1 ? `the ASCII '${ascii}'` : ascii;
      hints.push({
        path: `line ${i + 1}, column ${col + 1}`,
        message: `${what}: YAML needs ${fix} here. Retype it with the input method in English (half-width, 半角) mode`,
        line: i + 1,
      });
    }
  });
  return hints;
}

/** Columns of full-width characters standing where YAML syntax goes on this line. */
function syntaxPositions(line: string): number[] {
  const found: number[] = [];
  const indent = /^[ \t\u3000]*/.exec(line)![0];
  for (let c = 0; c < indent.length; c++) if (indent[c] === '\u3000') found.push(c);
  let quote: string | undefined;
  let flowDepth = 0;
  let keyDone = false;
  let valueStart = true;
  for (let c = indent.length; c < line.length; c++) {
    const ch = line[c]!;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '#' && (c === 0 || /\s/.test(line[c - 1]!))) break; // a comment
    if ((ch === '"' || ch === "'") && valueStart) {
      quote = ch;
      continue;
    }
    const fullWidth = NAMES[ch] !== undefined && ch !== '\u3000';
    if (fullWidth) {
      const opener = ch === '［' || ch === '｛';
      const closer = ch === '］' || ch === '｝' || ch === '，' || ch === '、';
      const quoteMark = '＂＇“”‘’'.includes(ch);
      if ((ch === '：' && (!keyDone || flowDepth > 0)) || (opener && valueStart) || (closer && flowDepth > 0) || (ch === '－' && c === indent.length) || (ch === '＃' && (valueStart || /\s/.test(line[c - 1] ?? ' '))) || (quoteMark && valueStart)) {
        found.push(c);
      }
      if (opener && valueStart) flowDepth++;
      if ((ch === '］' || ch === '｝') && flowDepth > 0) flowDepth--;
    }
    if (ch === '[' || ch === '{') flowDepth++;
    if ((ch === ']' || ch === '}') && flowDepth > 0) flowDepth--;
    if (ch === ':' && (line[c + 1] === undefined || /\s/.test(line[c + 1]!))) keyDone = flowDepth === 0 ? true : keyDone;
    // A value (or a flow item) starts after `: `, `- `, `[`, `{`, `,` and their full-width twins.
    if (/\s/.test(ch)) continue;
    valueStart = ':-[{,：－［｛，、'.includes(ch);
  }
  return found;
}
