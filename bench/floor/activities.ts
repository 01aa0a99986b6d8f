/** The floor's activities: they do nothing, so that what the floor measures is Temporal's own cost per activity. */
export const floorActivities = {
  async noop(): Promise<void> {},
};

export type FloorActivities = typeof floorActivities;
