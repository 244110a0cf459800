/** Whether the signed-in token may act (admin) or only read (viewer): actions are hidden then. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export const CanAct = createContext(false);
export const useCanAct = () => useContext(CanAct);
