import { ActionIcon, Alert, Button, Group, Slider, Text } from '@mantine/core';
import { IconDownload, IconPlayerPause, IconPlayerPlay } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/api';
import { ApiError } from '../api/api-error';
import type { CallRecordingEntry, SignedRecordingUrls } from '../api/types';
import { errorMessage } from '../common/error-message';
import { formatDuration } from '../common/format';
import { saveFile } from '../common/save-file';

/** A signed URL this close to its expiry is fetched again before use. */
const EXPIRY_MARGIN_MS = 10_000;
const fresh = (urls: SignedRecordingUrls | null): urls is SignedRecordingUrls => urls !== null && Date.parse(urls.expiresAt) - Date.now() > EXPIRY_MARGIN_MS;

/** Why the stream refused to play, in the server's words (an <audio> element only says "error"). */
async function streamProblem(url: string): Promise<unknown> {
  try {
    const response = await fetch(url, { headers: { Range: 'bytes=0-0' } });
    if (response.ok) return new Error(`HTTP ${response.status}`);
    return ApiError.fromBody(response.status, await response.json().catch(() => null), `HTTP ${response.status}`);
  } catch (error) {
    return error;
  }
}

/**
 * Play, seek and download one recording through its short-lived signed URL (an <audio>
 * element cannot send the bearer token). The URL is fetched again when it expired before a
 * play, a seek or a download; playback resumes where it was. The server answers Range
 * requests, so seeking fetches only what is needed.
 */
export function RecordingPlayer({ recording }: { recording: CallRecordingEntry }) {
  const { t } = useTranslation();
  const audio = useRef<HTMLAudioElement>(null);
  const [urls, setUrls] = useState<SignedRecordingUrls | null>(null);
  const [playing, setPlaying] = useState(false);
  const [current, setCurrent] = useState(0);
  const [duration, setDuration] = useState(recording.durationSeconds ?? 0);
  const [dragging, setDragging] = useState<number | null>(null);
  const [error, setError] = useState<{ key: 'recording.failed' | 'recording.downloadFailed'; cause: unknown } | null>(null);
  const [downloading, setDownloading] = useState(false);
  /** Where to continue once a new URL has loaded (after an expired one failed). */
  const resume = useRef<{ at: number; play: boolean } | null>(null);

  useEffect(() => {
    let current = true;
    api.recordings.signedUrls(recording.id).then(
      (next) => current && setUrls(next),
      (failure: unknown) => current && setError({ key: 'recording.failed', cause: failure }),
    );
    return () => {
      current = false;
    };
  }, [recording.id]);

  /** A new URL for the expired one; the element continues at `at` once it loaded. */
  const renew = async (at: number, play: boolean) => {
    resume.current = { at, play };
    try {
      setUrls(await api.recordings.signedUrls(recording.id));
    } catch (failure) {
      setError({ key: 'recording.failed', cause: failure });
    }
  };

  /** Why the element cannot play, in the server's words when it refused the stream. */
  const explain = async (failure?: unknown) => {
    setPlaying(false);
    const refused = audio.current?.error && urls;
    setError({ key: 'recording.failed', cause: refused ? await streamProblem(urls.url) : failure });
  };

  const toggle = async () => {
    const element = audio.current;
    if (!element) return;
    if (!element.paused) return element.pause();
    setError(null);
    if (!fresh(urls)) return renew(element.currentTime, true);
    await element.play().catch(explain);
  };

  const seek = async (seconds: number) => {
    setDragging(null);
    setCurrent(seconds);
    const element = audio.current;
    if (!element) return;
    if (!fresh(urls)) return renew(seconds, !element.paused);
    element.currentTime = seconds;
  };

  const download = async () => {
    setDownloading(true);
    setError(null);
    try {
      saveFile((fresh(urls) ? urls : await api.recordings.signedUrls(recording.id)).downloadUrl);
    } catch (failure) {
      setError({ key: 'recording.downloadFailed', cause: failure });
    } finally {
      setDownloading(false);
    }
  };

  const onLoaded = () => {
    const element = audio.current!;
    if (Number.isFinite(element.duration)) setDuration(element.duration);
    const pending = resume.current;
    resume.current = null;
    if (!pending) return;
    element.currentTime = pending.at;
    if (pending.play) void element.play().catch(explain);
  };

  const onError = async () => {
    const element = audio.current;
    if (!element || !urls) return;
    // An expired URL is renewed; any other refusal is told in the server's words.
    if (!fresh(urls)) return renew(element.currentTime, playing);
    await explain();
  };

  const position = dragging ?? current;
  const total = formatDuration(duration);
  return (
    <div data-testid="recording-player" data-recording-id={recording.id}>
      <audio
        ref={audio}
        src={urls?.url}
        preload="metadata"
        onLoadedMetadata={onLoaded}
        onDurationChange={(event) => Number.isFinite(event.currentTarget.duration) && setDuration(event.currentTarget.duration)}
        onTimeUpdate={(event) => setCurrent(event.currentTarget.currentTime)}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => setPlaying(false)}
        onError={() => void onError()}
      />
      <Group gap="sm" wrap="nowrap">
        <ActionIcon
          size="lg"
          variant="filled"
          onClick={() => void toggle()}
          disabled={!urls && !error}
          aria-label={playing ? t('recording.pause') : t('recording.play')}
          data-testid="recording-toggle"
        >
          {playing ? <IconPlayerPause size={18} aria-hidden /> : <IconPlayerPlay size={18} aria-hidden />}
        </ActionIcon>
        <Slider
          style={{ flex: 1 }}
          min={0}
          max={Math.max(duration, 0.1)}
          step={1}
          value={Math.min(position, duration)}
          onChange={setDragging}
          onChangeEnd={(seconds) => void seek(seconds)}
          label={(seconds) => formatDuration(seconds)}
          thumbLabel={t('recording.position')}
          thumbValueText={(seconds) => t('recording.time', { current: formatDuration(seconds), total })}
          disabled={!urls}
        />
        <Text size="sm" ff="monospace" miw={96} ta="right" data-testid="recording-time">
          {formatDuration(position)} / {total}
        </Text>
        <Button size="xs" variant="light" leftSection={<IconDownload size={16} aria-hidden />} onClick={() => void download()} loading={downloading} loaderProps={{ 'aria-label': t('recording.preparing') }}>
          {t('recording.download')}
        </Button>
      </Group>
      {error && (
        <Alert color="red" mt="xs" role="alert" data-testid="recording-error">
          {t(error.key, { message: errorMessage(t, error.cause) })}
        </Alert>
      )}
    </div>
  );
}
