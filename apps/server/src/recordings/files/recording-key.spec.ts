import { recordingKey, unsafeRelativePath } from './recording-key';

const place = { monitorDir: '/var/spool/asterisk/monitor', folder: '' };

describe('recordingKey', () => {
  it('keys a Monitor name and a MixMonitor path by their path under the monitor directory', () => {
    expect(recordingKey('20261126-123700-1001-1002.wav', null, place)).toEqual({ key: '20261126-123700-1001-1002.wav' });
    expect(recordingKey('2026/12/05/rg-600-1.wav', '/var/spool/asterisk/monitor/2026/12/05/rg-600-1.wav', place)).toEqual({ key: '2026/12/05/rg-600-1.wav' });
    expect(recordingKey('x.wav', '/var/spool/asterisk/monitor/x.wav', { ...place, folder: 'branch' })).toEqual({ key: 'branch/x.wav' });
    expect(recordingKey('a b +7 (495).wav', null, place)).toEqual({ key: 'a b +7 (495).wav' });
  });

  it.each([
    ['../../etc/passwd', null, /climbs out/],
    ['a/../../b.wav', null, /climbs out/],
    ['..', null, /climbs out/],
    ['/etc/passwd', null, /absolute/],
    ['x.wav', '/etc/passwd', /outside the PBX's monitor directory/],
    ['x.wav', '/var/spool/asterisk/monitor-evil/x.wav', /outside/],
    ['x.wav', '/var/spool/asterisk/monitor/../../../etc/passwd', /climbs out/],
    ['x.wav', '/var/spool/asterisk/monitor//etc/passwd', /absolute/],
    ['x.wav\u0000.png', null, /NUL/],
    ['x\ufffd.wav', null, /undecodable/],
    ['x\n.wav', null, /control/],
    ['..%2f..%2fetc%2fpasswd', null, /URL-encoded/],
    ['%2e%2e/%2e%2e/etc/passwd', null, /URL-encoded/],
    ['%252e%252e%252fetc', null, /URL-encoded/],
    ['%c0%ae%c0%ae/etc', null, /URL-encoded/],
    ['..\\..\\etc\\passwd', null, /backslash/],
    ['a//b.wav', null, /empty/],
    ['./x.wav', null, /empty or "\."/],
  ])('refuses %j (path %j)', (file, path, reason) => {
    const result = recordingKey(file, path, place);
    expect(result).toEqual({ refused: expect.stringMatching(reason) });
  });

  it('applies the same rules to a stored key before use', () => {
    expect(unsafeRelativePath('ok/x.wav')).toBeNull();
    expect(unsafeRelativePath('../x.wav')).toMatch(/climbs out/);
    expect(unsafeRelativePath('/x.wav')).toMatch(/absolute/);
    expect(unsafeRelativePath('%2e%2e/x')).toMatch(/URL-encoded/);
  });
});
