export * from './recordings.module';
export * from './recordings.service';
export * from './recording-linker.service';
export * from './entities/recording.entity';
