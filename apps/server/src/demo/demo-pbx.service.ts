import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { describeAmiServer, type AmiServerConfig } from '@app/ami';
import { DEMO_AMI_USER, DIALECTS, startPbxSim, type PbxSim } from '../../../pbx-sim/src';
import { CallControlExecutor } from '../call-control';
import { AppConfig } from '../config/app-config';
import { AmiIngestService } from '../call-ingest';
import { DEMO_PBX_ID } from './demo-data';
import { DEMO_TRAFFIC, FIRST_DEMO_CALL } from './demo-traffic';

const LOOPBACK = '127.0.0.1';

/**
 * The demo's PBX: pbx-sim in this process, listening on a free loopback port, ingested like
 * any Asterisk (AMI over TCP, tracker, calls pipeline) under the PBX id `demo`. Calls begin
 * once the ingest has logged in, so the CRM sees every demo call from its first event.
 *
 * It stops first on shutdown (before the ingest and the database): the ingest lets go of the
 * simulator, then the simulator closes and finishes writing its recordings.
 */
@Injectable()
export class DemoPbx implements OnModuleDestroy {
  private readonly logger = new Logger('DemoPbx');
  private sim: PbxSim | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly ingest: AmiIngestService,
    private readonly control: CallControlExecutor,
  ) {}

  async start(): Promise<AmiServerConfig> {
    // A fresh secret per run: the simulator obeys any logged-in client (Originate, Hangup), so only this process may log in.
    const account = { username: DEMO_AMI_USER.username, secret: randomBytes(18).toString('base64url') };
    const sim = await startPbxSim({
      host: LOOPBACK,
      port: 0,
      users: [account],
      traffic: DEMO_TRAFFIC,
      trafficAutostart: false,
      config: { recordingsPath: this.config.recordingsPath, dialect: this.config.PBX_SIM_DIALECT },
      dialplan: this.config.PBX_SIM_DIALPLAN,
      log: (message) => this.logger.log(message),
    });
    this.sim = sim;
    const server: AmiServerConfig = { id: DEMO_PBX_ID, host: LOOPBACK, port: sim.port, username: account.username, secret: account.secret, tls: false };
    // Click-to-call and agent pause ring the simulator's phones by the technology its dialect plays.
    const phone = `${DIALECTS[this.config.PBX_SIM_DIALECT].tech}/{extension}`;
    this.control.configure(DEMO_PBX_ID, { phoneChannel: phone, queueMember: phone });
    const pbx = await this.ingest.add(server);
    const begin = (): void => {
      if (this.sim !== sim || sim.traffic.isRunning) return;
      sim.placeCall(FIRST_DEMO_CALL);
      sim.traffic.start();
      this.logger.log(`demo traffic started: about ${Math.round((DEMO_TRAFFIC.cps ?? 0) * 60)} calls a minute from ${describeAmiServer(server)}`);
    };
    if (pbx.ami?.state === 'ready') begin();
    else if (pbx.ami) pbx.ami.once('connected', begin);
    else {
      // Standby: another process holds this database's `demo` PBX and ingests its own simulator.
      this.logger.warn(`another process ingests PBX "${DEMO_PBX_ID}" on this database; this simulator's calls are stored only if it takes over`);
      begin();
    }
    return server;
  }

  async onModuleDestroy(): Promise<void> {
    const sim = this.sim;
    this.sim = null;
    if (!sim) return;
    await this.ingest.remove(DEMO_PBX_ID);
    await sim.close();
    this.logger.log(`demo PBX simulator stopped after ${sim.stats.engine.callsStarted} calls`);
  }
}
