/** §4.2 in memory: a client group belongs to its first user; a client, once it pushed, to its group. */
import { refuse } from './answers.js';

export interface Group {
  readonly owner: string;
  /** The last mutation id of each client that pushed in the group (0 for an empty first push). */
  readonly lastMutationIDs: Map<string, number>;
}

export class Ownership {
  private readonly groups = new Map<string, Group>();
  private readonly clientGroups = new Map<string, string>();

  /** The group, recorded as `userID`'s if new; 403 when it or the pushing client belongs elsewhere. */
  claim(groupID: string, userID: string, pushingClient?: string): Group {
    let group = this.groups.get(groupID);
    if (group === undefined) {
      group = { owner: userID, lastMutationIDs: new Map() };
      this.groups.set(groupID, group);
    }
    if (group.owner !== userID) {
      refuse('FORBIDDEN', 'This client group belongs to another user: use a new one.', {
        field: 'clientGroupID',
      });
    }
    if (pushingClient === undefined) return group;
    const home = this.clientGroups.get(pushingClient) ?? groupID;
    if (home !== groupID) {
      refuse('FORBIDDEN', 'This client belongs to another client group: use a new clientID.', {
        field: 'clientID',
      });
    }
    this.clientGroups.set(pushingClient, groupID);
    group.lastMutationIDs.set(pushingClient, group.lastMutationIDs.get(pushingClient) ?? 0);
    return group;
  }
}
