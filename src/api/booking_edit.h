/* booking_edit.h — PATCH /bookings/{id} (reschedule, reassign, force) and
 * DELETE /bookings/{id} (cancel), for admins and the booking's agent. */
#ifndef TRIPOD_BOOKING_EDIT_H
#define TRIPOD_BOOKING_EDIT_H

#include "api/api.h"

/* Admin: {start?, staff?: [ids], force?}; agent (manage token): {start}.
 * Re-checks the new time/crew against the store's current busy time,
 * excluding the booking itself (unless an admin forces it); the agent's crew
 * is re-assigned by policy when it is not free. 200 with the booking; 409
 * slot_unavailable with alternatives, too_late (agent inside the notice) or
 * cancelled. Every change appends history and bumps the sequence. */
void booking_edit_patch(api_req *r, api_res *res);

/* Cancels (status "cancelled", time freed, sequence bumped, history kept).
 * 200 with the booking; cancelling again changes nothing. */
void booking_edit_delete(api_req *r, api_res *res);

#endif
