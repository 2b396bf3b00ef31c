export * from './recordings.module';
export * from './recordings.service';
export * from './recording-linker.service';
export * from './readiness/recording-readiness.service';
export * from './entities/recording.entity';
export { RecordingDto } from './dto/recording.dto';
export * from './jobs/recordings-job.service';
export * from './jobs/recordings-metrics';
