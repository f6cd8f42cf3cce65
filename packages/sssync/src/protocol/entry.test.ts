import { describe, expect, it } from 'vitest';

describe('the sssync/protocol entry point', () => {
  it('exports the validators both ends use', async () => {
    const protocol = await import('sssync/protocol');
    expect(protocol.PROTOCOL_VERSION).toBe(1);
    expect(() => protocol.parsePushRequest({ protocolVersion: 1 })).toThrow(
      expect.objectContaining({ code: 'PROTOCOL' }),
    );
    expect(typeof protocol.parsePullResponse).toBe('function');
  });
});
