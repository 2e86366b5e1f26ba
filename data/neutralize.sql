-- A duplicated database must never talk to the seller's live Flipkart account.
UPDATE flipkart_account
   SET client_secret = NULL,
       access_token = NULL,
       token_expires_at = NULL,
       active = false;
