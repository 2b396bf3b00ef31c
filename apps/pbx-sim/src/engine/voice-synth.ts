import { SeededRandom } from '@app/ami';

/** A party of the synthetic conversation: its voice's pitch (Hz) and loudness (0..1). */
interface Voice {
  pitchHz: number;
  level: number;
}

/** The caller (lower voice) and the agent (higher voice). */
const VOICES: readonly Voice[] = [
  { pitchHz: 118, level: 0.22 },
  { pitchHz: 205, level: 0.18 },
];

/** Harmonic amplitudes of the buzz each syllable is made of (a vowel-like timbre). */
const HARMONICS = [1, 0.55, 0.32, 0.18, 0.1];

/**
 * Speech-like 16-bit PCM for a recording of `seconds` at `sampleRate`: the two parties take
 * turns (1.5-4 s each, short pauses between), each turn a run of syllables (a voiced buzz
 * at the party's pitch, gliding a little, under a smooth envelope) separated by tiny gaps.
 * Deterministic for a seed, so a file's content follows from its name; it sounds like a
 * conversation in a player, unlike silence, and stays the size Asterisk's `wav` writes.
 */
export function speechLikePcm(seconds: number, sampleRate: number, seed: number): Int16Array {
  const total = Math.max(0, Math.round(seconds * sampleRate));
  const pcm = new Int16Array(total);
  const rng = new SeededRandom(seed);
  let at = Math.round(rng.int(100, 400) * (sampleRate / 1000));
  let speaker = 0;
  let phase = 0;
  while (at < total) {
    const voice = VOICES[speaker];
    const turnEnd = Math.min(total, at + Math.round((rng.int(1500, 4000) / 1000) * sampleRate));
    while (at < turnEnd) {
      const length = Math.min(turnEnd - at, Math.round((rng.int(110, 260) / 1000) * sampleRate));
      const startHz = voice.pitchHz * (0.9 + rng.next() * 0.2);
      const endHz = startHz * (0.88 + rng.next() * 0.24);
      const level = voice.level * (0.7 + rng.next() * 0.3);
      for (let i = 0; i < length; i++) {
        const t = i / length;
        const hz = startHz + (endHz - startHz) * t;
        phase += (2 * Math.PI * hz) / sampleRate;
        let v = 0;
        for (let h = 0; h < HARMONICS.length; h++) v += HARMONICS[h] * Math.sin(phase * (h + 1));
        // Raised-cosine envelope: no clicks at the syllable's edges.
        const envelope = 0.5 - 0.5 * Math.cos(2 * Math.PI * t);
        pcm[at + i] = Math.round(v * envelope * level * 16384);
      }
      at += length + Math.round((rng.int(20, 90) / 1000) * sampleRate);
    }
    at += Math.round((rng.int(200, 600) / 1000) * sampleRate);
    speaker = 1 - speaker;
  }
  return pcm;
}

/** A stable 32-bit seed from a recording's name. */
export function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}
