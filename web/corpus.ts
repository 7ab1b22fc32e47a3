// Getting a corpus's bytes onto the page: by URL or from the user's disk. Decoding (and its
// checks: UTF-8, length) happens in the worker, with the library's decodeText.

const FIX = 'Fix: check the URL (npm run web serves the repository\'s datasets/ folder), or choose a text file from your disk.';

export interface CorpusBytes {
  bytes: ArrayBuffer;
  source: string;
}

export async function fetchCorpus(url: string): Promise<CorpusBytes> {
  if (url.trim() === '') throw new Error(`no URL given. ${FIX}`);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    // A network error or a server that does not allow this page to read it (CORS): the browser says no more.
    throw new Error(`could not load ${url} (${(e as Error).message}). ${FIX}`);
  }
  if (!response.ok) {
    const status = [response.status, response.statusText].filter(Boolean).join(' ');
    throw new Error(`could not load ${url}: HTTP ${status}. ${FIX}`);
  }
  return { bytes: await response.arrayBuffer(), source: url };
}

export async function readCorpusFile(file: File): Promise<CorpusBytes> {
  return { bytes: await file.arrayBuffer(), source: file.name };
}
