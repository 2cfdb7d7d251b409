@integrity @REQ-INTEGRITY
Feature: Every paid purchase has exactly one correct policy
  After the load test, the purchases the load generator completed are reconciled with what
  the store recorded.

  Background:
    Given the purchases completed by the load test and the store's reconciliation

  @blocker
  Scenario: One policy per paid purchase
    Then every paid purchase has exactly one policy and no policy number is issued twice

  @blocker
  Scenario: The premium charged equals the premium quoted
    Then the premium charged equals the premium quoted for every purchase
