import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AMI_MODULE_OPTIONS, AmiModule } from './ami.module';
import { AmiConnectionRegistry } from './connection/ami-connection-registry';
import { AmiTestServer } from './connection/ami-test-server';
import { AmiUnknownPbxError } from './protocol/ami-errors';

@Injectable()
class FakeConfig {
  port = 0;
}

@Module({ providers: [FakeConfig], exports: [FakeConfig] })
class FakeConfigModule {}

describe('AmiModule', () => {
  let pbxA: AmiTestServer;
  let pbxB: AmiTestServer;

  beforeEach(async () => {
    [pbxA, pbxB] = await Promise.all([new AmiTestServer().listen(), new AmiTestServer().listen()]);
  });

  afterEach(async () => {
    await Promise.all([pbxA.close(), pbxB.close()]);
  });

  it('provides one connection and gateway per PBX, connects on boot with Events: off and logs off on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AmiModule.forRoot({
          servers: [
            { id: 'a', host: '127.0.0.1', port: pbxA.port, username: 'crm', secret: 's3cr3t', tls: false },
            { id: 'b', host: '127.0.0.1', port: pbxB.port, username: 'crm', secret: 's3cr3t', tls: false },
          ],
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const registry = app.get(AmiConnectionRegistry);
    expect(registry.pbxIds).toEqual(['a', 'b']);
    await registry.ready(5000);
    expect((await registry.gateway('b').ping()).get('Ping')).toBe('Pong');
    expect(pbxA.actionsNamed('Login')[0].get('Events')).toBe('off');
    expect(() => registry.gateway('nope')).toThrow(AmiUnknownPbxError);

    await app.close();
    expect(registry.connections().map((c) => c.state)).toEqual(['closed', 'closed']);
    expect(pbxA.actionsNamed('Logoff')).toHaveLength(1);
    expect(pbxB.actionsNamed('Logoff')).toHaveLength(1);
  });

  it('takes its options from a factory and can leave starting to the caller', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AmiModule.forRootAsync({
          imports: [FakeConfigModule],
          inject: [FakeConfig],
          useFactory: (config: FakeConfig) => ({
            autoStart: false,
            servers: [{ id: 'a', host: '127.0.0.1', port: config.port || pbxA.port, username: 'crm', secret: 's3cr3t', tls: false }],
          }),
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const registry = app.get(AmiConnectionRegistry);
    expect(app.get(AMI_MODULE_OPTIONS).autoStart).toBe(false);
    expect(registry.connection('a').state).toBe('idle');
    registry.start();
    await registry.ready(5000);
    expect(pbxA.actionsNamed('Login')).toHaveLength(1);
    await app.close();
  });
});
