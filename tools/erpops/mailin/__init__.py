"""E-mail in: tickets and ticket replies from a mailbox read over IMAP (`erpops mail fetch`).

read.py turns the bytes of one mail into text (GB2312/GBK read as GB18030), route.py decides what
the mail asks for, imap.py and smtp.py talk to the servers. The core of erpops imports none of it.
"""
