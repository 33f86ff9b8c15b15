/** Where a device is: the responder needs to know where the smoke is. */
export interface Location {
  building?: string;
  floor?: string;
  room?: string;
  /** Free text for anything the three fields do not cover ("above the stairwell door"). */
  note?: string;
}
