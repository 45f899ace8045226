"""What `paperbot run` tells the user when Discord refuses the bot's token.

bot/cli/run.py wires Discord (and Slack) into one running bot.
"""

from __future__ import annotations

BAD_TOKEN = """\
Discord refused PAPERBOT_DISCORD_TOKEN ({error}). Copy the bot's token again from the Bot page of
your application at https://discord.com/developers/applications (Reset Token shows a new one)."""
