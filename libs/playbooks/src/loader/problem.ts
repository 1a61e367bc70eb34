/** A problem found in a playbook, at a JSON path; the loader turns the path into file, line and column. */
export interface Problem {
  path: (string | number)[];
  message: string;
  /** Point at the key rather than the value (unknown fields). */
  key?: boolean;
  /** Offset inside a string value (an expression's syntax error). */
  offset?: number;
}

/** A problem as authors see it. */
export interface PlaybookError {
  file: string;
  line: number;
  column: number;
  /** JSON pointer into the document. */
  pointer: string;
  message: string;
}
