import { DynamicModule, FactoryProvider, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown, Provider } from '@nestjs/common';
import { AmiConnectionRegistry, AmiConnectionRegistryOptions } from './connection/ami-connection-registry';

export interface AmiModuleOptions extends AmiConnectionRegistryOptions {
  /** Connect when the application boots (default true); false leaves `start()` to the caller. */
  autoStart?: boolean;
}

export interface AmiModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => AmiModuleOptions | Promise<AmiModuleOptions>;
}

export const AMI_MODULE_OPTIONS = Symbol('AMI_MODULE_OPTIONS');

/** Starts the connections after boot and logs them off on shutdown (`enableShutdownHooks` for signals). */
@Injectable()
class AmiLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly registry: AmiConnectionRegistry,
    @Inject(AMI_MODULE_OPTIONS) private readonly options: AmiModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.autoStart ?? true) this.registry.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.registry.close();
  }
}

const registryProvider: Provider = {
  provide: AmiConnectionRegistry,
  inject: [AMI_MODULE_OPTIONS],
  useFactory: (options: AmiModuleOptions) => new AmiConnectionRegistry({ ...options, logger: options.logger ?? new Logger('AMI') }),
};

/**
 * The AMI layer as Nest providers: `AmiConnectionRegistry` gives the connection and
 * the action gateway of each configured PBX. No database, no HTTP.
 *
 *   AmiModule.forRoot({ servers: amiServersFromEnv() })
 *   AmiModule.forRootAsync({ inject: [AppConfig], useFactory: (c: AppConfig) => ({ servers: c.asteriskServers }) })
 */
@Module({})
export class AmiModule {
  static forRoot(options: AmiModuleOptions): DynamicModule {
    return AmiModule.build([{ provide: AMI_MODULE_OPTIONS, useValue: options }]);
  }

  static forRootAsync(options: AmiModuleAsyncOptions): DynamicModule {
    return AmiModule.build([{ provide: AMI_MODULE_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory }], options.imports);
  }

  private static build(optionsProviders: Provider[], imports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: AmiModule,
      imports,
      providers: [...optionsProviders, registryProvider, AmiLifecycle],
      exports: [AMI_MODULE_OPTIONS, AmiConnectionRegistry],
    };
  }
}
