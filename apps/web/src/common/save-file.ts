/** Hands a file to the browser's "save": a downloaded blob (the API needs a bearer token, so a plain link cannot fetch it) or a signed URL. */
export function saveFile(file: Blob | string, fileName?: string): void {
  const url = typeof file === 'string' ? file : URL.createObjectURL(file);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName ?? '';
  document.body.append(link);
  link.click();
  link.remove();
  if (typeof file !== 'string') setTimeout(() => URL.revokeObjectURL(url), 0);
}
