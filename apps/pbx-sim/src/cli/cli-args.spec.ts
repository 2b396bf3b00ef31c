import { CliError, parseCliArgs } from './cli-args';

describe('CLI arguments', () => {
  it('reads the documented options', () => {
    const o = parseCliArgs(['--port', '5039', '--user', 'crm', '--secret', 's3', '--cps', '2', '--seed', '42', '--extensions', '3', '--ring=1000-2000', '--no-recordings', '--timestamp-events', '--kinds', 'inbound=1,queue=1']);
    expect(o.sim.port).toBe(5039);
    expect(o.sim.users).toEqual([{ username: 'crm', secret: 's3' }]);
    expect(o.sim.seed).toBe(42);
    expect(o.sim.traffic).toMatchObject({ cps: 2, ringMs: { min: 1000, max: 2000 }, kinds: { inbound: 1, outbound: 0, internal: 0, queue: 1 } });
    expect(o.sim.config?.extensions?.map((e) => e.number)).toEqual(['1001', '1002', '1003']);
    expect(o.sim.config?.recordingsPath).toBeNull();
    expect(o.sim.config?.timestampEvents).toBe(true);
    expect(o.replay).toBeNull();
  });

  it('picks the dialect from --dialect, else PBX_SIM_DIALECT, else Asterisk 20', () => {
    expect(parseCliArgs([], {}).sim.config?.dialect).toBe('asterisk20');
    expect(parseCliArgs([], { PBX_SIM_DIALECT: 'asterisk22' }).sim.config?.dialect).toBe('asterisk22');
    expect(parseCliArgs(['--dialect', 'asterisk20'], { PBX_SIM_DIALECT: 'asterisk22' }).sim.config?.dialect).toBe('asterisk20');
    expect(() => parseCliArgs(['--dialect', 'asterisk18'], {})).toThrow('--dialect (or PBX_SIM_DIALECT) must be one of asterisk20, asterisk22, got "asterisk18"');
  });

  it('picks the dialplan from --dialplan, else PBX_SIM_DIALPLAN, else the lab\'s', () => {
    expect(parseCliArgs([], {}).sim.dialplan).toBe('lab');
    expect(parseCliArgs([], { PBX_SIM_DIALPLAN: 'freepbx' }).sim.dialplan).toBe('freepbx');
    expect(parseCliArgs(['--dialplan=lab'], { PBX_SIM_DIALPLAN: 'freepbx' }).sim.dialplan).toBe('lab');
    expect(() => parseCliArgs(['--dialplan', 'vicidial'], {})).toThrow('--dialplan (or PBX_SIM_DIALPLAN) must be one of lab, freepbx, got "vicidial"');
  });

  it('switches to replay mode', () => {
    const o = parseCliArgs(['--replay', 'a.ami,b.ami', '--speed', '10', '--loop']);
    expect(o.replay).toEqual({ captures: ['a.ami', 'b.ami'], speed: 10, loop: true });
  });

  it('lists every problem at once', () => {
    expect(() => parseCliArgs(['--port', 'x', '--cps', '-1', '--frobnicate', '1', '--ring', '9-1', 'stray'])).toThrow(CliError);
    try {
      parseCliArgs(['--port', 'x', '--cps', '-1', '--frobnicate', '1', '--ring', '9-1', 'stray']);
    } catch (err) {
      const lines = (err as Error).message.split('\n');
      expect(lines).toEqual(
        expect.arrayContaining(['unexpected argument stray', 'unknown option --frobnicate', '--port must be a number between 0 and 65535', '--cps must be a number between 0 and 10000', '--ring must be <min>-<max> in ms']),
      );
    }
  });
});
