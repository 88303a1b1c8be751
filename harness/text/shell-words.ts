/**
 * The words of one simple command as sh splits them, without expanding anything: blanks separate,
 * single quotes keep everything, double quotes and backslashes work as in sh. The reverse of
 * shellQuote. A command ends at the first operator outside quotes (| ; & < > ) or a comment); a file
 * descriptor number glued to a redirection (`2>&1`) is not a word.
 */

export interface SimpleCommand {
  words: string[];
  /** The operator the command ended at; undefined when the text ended first. */
  operator?: string;
}

const OPERATORS = '|;&><)';
/** Inside double quotes a backslash escapes only these; before anything else it stays. */
const ESCAPABLE_IN_DOUBLE_QUOTES = '"\\$`';

/** Throws one line on an unterminated quote. */
export function shellWords(text: string): SimpleCommand {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (char === '\\' && i + 1 < text.length && (quote === undefined || ESCAPABLE_IN_DOUBLE_QUOTES.includes(text[i + 1]!))) {
      word = (word ?? '') + text[++i];
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (OPERATORS.includes(char) || (char === '#' && word === undefined)) {
      const redirectedFd = (char === '>' || char === '<') && word !== undefined && /^\d+$/.test(word);
      if (word !== undefined && !redirectedFd) words.push(word);
      return { words, operator: char };
    } else {
      word = (word ?? '') + char;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} in: ${text}`);
  if (word !== undefined) words.push(word);
  return { words };
}
