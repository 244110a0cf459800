/** Search by id, name, a meta field or payload text; bounded per call, "more" continues. */
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import type { JobWire } from '../../api/types.js';
import { ErrorLine } from '../../components/ui.js';
import { setParams } from '../../router.js';
import { JobRows } from './JobsPanel.js';

export function SearchPanel({ queue, params }: { queue: string; params: URLSearchParams }) {
  const [text, setText] = useState(params.get('q') ?? '');
  const [field, setField] = useState(params.get('field') ?? 'any');
  const [metaKey, setMetaKey] = useState('');
  const [found, setFound] = useState<JobWire[]>();
  const [cursor, setCursor] = useState('0');
  const [scanned, setScanned] = useState(0);
  const [error, setError] = useState<Error>();
  const fieldParam = field === 'meta' ? `meta.${metaKey}` : field;
  const run = async (from: string) => {
    setError(undefined);
    try {
      const page = await api.search(queue, text, fieldParam, from);
      setFound((prev) => [...(from === '0' ? [] : (prev ?? [])), ...page.jobs]);
      setCursor(page.cursor);
      setScanned((s) => (from === '0' ? 0 : s) + page.scanned);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section class="search">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setParams(queue, params, { q: text, field });
          void run('0');
        }}
      >
        <select
          aria-label="search field"
          value={field}
          onChange={(e) => setField((e.target as HTMLSelectElement).value)}
        >
          <option value="any">anywhere</option>
          <option value="id">id</option>
          <option value="name">name</option>
          <option value="meta">meta field</option>
          <option value="data">payload text</option>
        </select>
        {field === 'meta' && (
          <input
            aria-label="meta key"
            placeholder="meta key (e.g. account)"
            value={metaKey}
            onInput={(e) => setMetaKey((e.target as HTMLInputElement).value)}
          />
        )}
        <input
          aria-label="search text"
          placeholder="search jobs…"
          value={text}
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={text === ''}>
          Search
        </button>
      </form>
      <ErrorLine error={error} />
      {found && (
        <>
          <p class="muted">
            {found.length} found in {scanned} jobs examined
            {cursor === '0' ? ' (whole queue)' : ''}
            {cursor !== '0' && <button onClick={() => void run(cursor)}>search further</button>}
          </p>
          <JobRows jobs={found} />
        </>
      )}
    </section>
  );
}
