"""``ws/console/tickets/<number>/presence/``: who else is on a ticket's page, viewing or
writing a reply. Nothing is stored: each page announces itself on connect and when its state
changes, answers a newcomer's announcement, and says goodbye when it closes."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from balcao.core.errors import NotFound
from balcao.tickets.selectors import get_ticket

NOT_FOUND = 4404
STATES = {"viewing", "typing"}


def _ticket_id(user, number: int) -> int:
    return get_ticket(user, number).pk


class PresenceConsumer(AsyncJsonWebsocketConsumer):
    group = ""

    async def connect(self):
        self.user = self.scope["user"]
        if not getattr(self.user, "is_agent", False):
            await self.close(code=NOT_FOUND)
            return
        number = self.scope["url_route"]["kwargs"]["number"]
        try:
            ticket_id = await database_sync_to_async(_ticket_id)(self.user, number)
        except NotFound:
            await self.close(code=NOT_FOUND)
            return
        await self.accept()
        self.group = f"console.presence.{ticket_id}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self._announce("viewing", joined=True)

    async def disconnect(self, code):
        if self.group:
            await self._announce("left")
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        state = content.get("state") if isinstance(content, dict) else None
        if state in STATES and self.group:
            await self._announce(state)

    async def _announce(self, state: str, joined: bool = False):
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "presence.state",
                "channel": self.channel_name,
                "user": self.user.pk,
                "name": self.user.display_name,
                "state": state,
                "joined": joined,
            },
        )

    async def presence_state(self, event):
        if event["channel"] == self.channel_name:
            return
        await self.send_json(
            {
                "type": "presence",
                "id": event["channel"][-12:],
                "user": event["user"],
                "name": event["name"],
                "state": event["state"],
                "joined": event["joined"],
            }
        )
