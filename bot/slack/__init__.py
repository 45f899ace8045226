"""The Slack adapter: slack-bolt's AsyncApp behind the chat seam (Socket Mode or HTTP)."""
