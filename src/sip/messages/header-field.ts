/** One header line: the name as written and the unfolded, trimmed value. */
export interface HeaderField {
  name: string;
  value: string;
}
