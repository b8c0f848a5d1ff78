// The LiveKit room of an event. The controller grants camera, director and template tokens for it and the
// worker asks Egress to compose it: both call this, so they always name the same room.
export function eventRoom(eventId: string): string {
  return `pitchside-${eventId}`;
}
