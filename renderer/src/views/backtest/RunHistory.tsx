/** The run registry: placeholder until runs:list lands. */
export function RunHistory() {
  return null;
}
