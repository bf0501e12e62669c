"""``ws/console/notifications/``: an agent's open console pages, told live of each new
notification (the counter and the item); pushed by ``delivery.push_notifications``."""

from typing import cast

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.urls import reverse

from balcao.accounts.models import User
from balcao.notifications.selectors import unread_count, user_group

NOT_FOUND = 4404


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    group = ""

    async def connect(self):
        user = self.scope["user"]
        if user is None or not getattr(user, "is_agent", False):
            await self.close(code=NOT_FOUND)
            return
        await self.accept()
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notification_new(self, event):
        """The item with its link, and the agent's unread count read here, when it reaches an
        open page: the process that acted (a client-area POST, an e-mail) does not count for
        pages that may not be open, and the count includes everything committed by now."""
        item = event["item"]
        item = {**item, "url": reverse("console:ticket", args=[item["ticket"]])}
        count = await database_sync_to_async(unread_count)(cast(User, self.scope["user"]))
        await self.send_json({"type": "notification", "item": item, "count": count})
