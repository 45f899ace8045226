"""The Discord adapter: discord.py events in, neutral events to the handlers, embeds out."""
