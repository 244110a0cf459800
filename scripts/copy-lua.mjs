// tsc copies no .lua files; the script loader reads them next to the compiled code.
import { cpSync } from 'node:fs';
cpSync('src/lua', 'dist/lua', { recursive: true });
