@escort @on_request @REQ-ESCORT-VOICE
Feature: The 72-hour escort: the voice of the customer
  Complaints and feedback are read at every check from the store's own records ([escort]
  complaints: a CSV/Parquet file or an SQL source). The complaint ratio counts every complaint
  of the watch so far against every policy issued so far. Without a complaints source these
  criteria are INCONCLUSIVE: remove them here if the store has none.

  Background:
    Given the live metrics of this escort check

  @critical
  Scenario: Few buyers complain
    Then the complaints so far are at most 0.5 % of the policies issued so far, judged above it on 200 policies or more

  @minor
  Scenario: No kind of complaint suddenly grows
    Then no complaint category jumps against the previous intervals at alpha 0.01
