/** What the playbook language needs to know of the action catalogue (kept narrow: no Azure, no Nest). */
export interface ActionLookup {
  ids(): string[];
  get(id: string): { inputSchema: object; destructive: boolean } | undefined;
}
