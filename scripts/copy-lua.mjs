// tsc copies no .lua or .sql files; the script loader and `migrate` read them next to the code.
import { cpSync } from 'node:fs';
cpSync('src/lua', 'dist/lua', { recursive: true });
cpSync('src/outbox/migrations', 'dist/outbox/migrations', { recursive: true });
