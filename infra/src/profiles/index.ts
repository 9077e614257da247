// The stack, as the rest of the kit sees it: choose a profile once, then ask it.
export {
  openStackProfile,
  chooseStackProfile,
  profileEnvironment,
  StackProfileError,
  takeSecureFlag,
  type ChosenProfile,
} from './choose.js';
export {
  everyServiceWorks,
  stackProfileNames,
  type StackProfile,
  type StackProfileName,
  type ServiceState,
  type Reporter,
  type StackUpOutcome,
} from './profile.js';
// The secured local stack's environment for a child process (STACK=secure, its config file, trust in its CA).
export { secureStackEnvironment } from '../secure/stack.js';
// npm run room: the secured stack on the room's address, and what a participant's join is handed of it.
export { roomStackProfile } from './secure.js';
export { roomJoinBundle, roomTlsKeyPair, type RoomJoinBundle } from '../secure/room-bundle.js';
